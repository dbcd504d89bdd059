"""What a data product costs: billing imports, attribution to products and domains, budgets.

Beyond the common anatomy (README "Layout"):
    formats/        readers of billing exports (FinOps FOCUS 1.x, AWS CUR 2.0) into BillingLine records
    importer.py     one import: stream, attribute, roll up, replace the periods it covers (COPY on PostgreSQL)
    attribution.py  who a billing line belongs to: product tag, domain tag, or the resource it names
    sharing.py      exact splits of shared costs across products (equal, by storage, by lab queries)
    budgets.py      budget checks after an import, one event per product and month
    reports.py      reading costs back: per product, domain, consumer, and what nobody owns
    charts.py       geometry of the server-rendered monthly cost chart
    samples.py      generated FOCUS and CUR files for the demo, tests and benchmark
"""
