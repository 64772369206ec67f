"""The floor for page timings: a bare Streamlit page with one plotly chart and nothing else.

With ``KPI_BENCH_ELEMENTS=N`` it adds N plain Markdown lines: the floor of a page that sends as many elements as
ours (``python -m bench viewers`` sets it to the overview's count)."""

import os

import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
st.plotly_chart(go.Figure(go.Bar(x=["Q3", "Q4"], y=[2, 5])), key="bare")
for line in range(int(os.environ.get("KPI_BENCH_ELEMENTS", "0"))):
    st.markdown(f"Line {line + 1}")
