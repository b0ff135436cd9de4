import streamlit as st

st.title("Stories")
st.info("Guided stories are being prepared.")
