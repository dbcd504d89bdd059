"""Events that reach people: routing of the outbox's events, follows, inbox, e-mail, signed webhooks.

Beyond the common anatomy (README "Layout"):
    audience/     who should hear of a batch of events, and why: each source one query per batch
    routing.py    preferences applied, notifications stored: the outbox event routed
    dispatch.py   from committed events to notifications and webhook deliveries
    webhooks/     Standard Webhooks delivery: signing, SSRF-safe sending, retry schedule, the delivery loop
    emails.py     e-mail through Django's backend: one message per event, or a digest
    describe.py   one readable sentence per event, for the inbox and e-mails
    context.py    the header's bell (a placeholder that fetches its count)
    cache.py      per-person values every page shows, cached
"""
