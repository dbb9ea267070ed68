"""My progress: my helping questions' ratings over the cycles, my next steps, my part of each workshop."""

import streamlit as st

from verp.records import summary
from verp.ui import one_to_one_participant, series_view
from verp.ui.account import show_account_deleted, show_my_account
from verp.ui.downloads import personal_links
from verp.ui.session import get_store, require_person
from verp.ui.summary_view import ratings_chart

show_account_deleted()
person = require_person()
store = get_store()
st.title("My progress")
st.caption("Only you see this page: your own questions, ratings and next steps.")

mine = summary.progress(store, person.id)

series_view.my_series(store, person)
one_to_one_participant.my_one_to_ones(store, person)

st.header("My helping questions")
if mine.ratings.num_rows == 0:
    st.info("No ratings yet. At each review you rate your helping question from 0 to 10; they show here.")
else:
    ratings_chart(mine.ratings)

st.header("My next steps")
if mine.next_steps.num_rows == 0:
    st.info("No next steps yet. You set one at the end of each review.")
else:
    st.dataframe(mine.next_steps, hide_index=True, width="stretch")

st.header("My workshops")
if not mine.workshops:
    st.info("You have not taken part in a workshop yet.")

personal_links(store, person.id, mine.workshops)

show_my_account(store, person)
