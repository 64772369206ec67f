"""The floor for page timings: a bare Streamlit page with one plotly chart and nothing else."""

import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
st.plotly_chart(go.Figure(go.Bar(x=["Q3", "Q4"], y=[2, 5])), key="bare")
