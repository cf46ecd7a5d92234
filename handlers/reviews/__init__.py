"""Entry review from chat: reviewers told of each submitted entry, decisions by button, 待审 / pending."""

from handlers.reviews import entries, pending, reason  # noqa: F401  - registers the flows, buttons and listener
