"""The web console's platform-free side: sign-in links and sessions, page data, and acting through the handlers."""
