"""Entry review from chat: reviewers told of each submitted entry, decisions by button, 待审 / pending."""
