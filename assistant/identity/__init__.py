"""Who is asking and what they may read: accounts, access rights, login, SSO and API tokens."""
