"""Data contracts that protect consumers: ODCS per output port, checked on every harvest.

Beyond the common anatomy (README "Layout"):
    odcs.py       reading ODCS contracts: YAML with positions, the official JSON Schema, our own rules
    drafts.py     a valid contract drafted from what was harvested
    checks.py     checking harvested datasets against their active contracts, after every harvest
    judge.py      judging one dataset against one contract object, clause by clause, with evidence
    quality.py    ODCS quality rules run through the lab's read-only runner, on a schedule
    harvested.py  breaking changes a harvest found become impact reports
    impact.py     who a breaking change touches, and whether it touches what they read
    notify.py     what the contracts app tells people, through the outbox
    facts.py      the contract_met product fact, which trust's maturity score reads
    cli.py        ``mesh``: the producers' CI validator (validate, diff, apply)
"""
