import streamlit as st

st.title("Saddle explorer")
