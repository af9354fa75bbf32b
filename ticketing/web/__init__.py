"""The browser pages: their shells, security headers and the API's doc pages."""
