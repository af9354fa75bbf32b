"""Payments: records of money in and out, the Stripe gateway, webhooks inbox, refunds."""
