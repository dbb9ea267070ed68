"""Principles: the six principles of attuned interaction as readable cards."""

import streamlit as st

from verp.room.principles import catalogue
from verp.ui.style import apply_projector_style

st.title("Principles of attuned interaction")
if st.toggle("Projector", key="projector", help="Larger text for a room reading from the back"):
    apply_projector_style()

principles = catalogue()
st.caption("They build on one another, from the first to the last.")

# Each card is one piece of Markdown (the app's own words, from assets/): one element to draw, not three.
columns = st.columns(3)
for index, principle in enumerate(principles.principles):
    behaviours = "\n".join(f"- {behaviour}" for behaviour in principle.behaviours)
    columns[index % 3].container(border=True).markdown(
        f"### {principle.number}. {principle.name}\n\n{principle.summary}\n\n{behaviours}"
    )

st.header("The chain: initiative → reception → response")
st.write(principles.chain_intro)
for column, step in zip(st.columns(3), principles.chain, strict=True):
    column.container(border=True).markdown(f"### {step.name}\n\n{step.description}")
