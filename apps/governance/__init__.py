"""Access requests and grants to output ports (the marketplace).

Beyond the common anatomy (README "Layout"):
    access.py  who may query an output port: the rule the query runner and the pages share
"""
