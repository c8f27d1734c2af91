"""The directory operator: the one member that holds the phone-number hash key and signs the directory.

    operator = DirectoryOperator(port, folder, DirectorySettings(account_holder_apis={...}), tokens)  # its own port
    mount_directory(app, operator)          # /v1/directory/... on a server the operator runs
    client = DirectoryClient(); client.connect(url, {member: token})   # what the other members use

A sending FSP asks the operator's API which FSP serves a number (rate-limited to its declared volume, every
answer in an audit log the regulator reads); an FSP asks it to list a number with a request signed by its own
key, which the operator checks against that FSP's account-holder API before it signs ``SetParty``; a number
another FSP already holds becomes a dispute for the regulator. See docs/directory.md.
"""
