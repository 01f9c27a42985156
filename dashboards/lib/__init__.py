"""What the dashboard pages use: warehouse access, queries, German formatting, figures and page elements."""
