"""The notice as an electronic licence: registered in the e-licence library after the deciding
commit, revoked when the decision is reversed, looked up by a school's desk instead of paper."""
