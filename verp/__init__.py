"""VERP Workshop: the domain package. Importable and testable without Streamlit."""
