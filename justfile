# yosan-ledger recipes: `just setup`, then `just report`.

ledger := "ledger/main.beancount"

# Install the package, its console script `yosan`, and the test tools.
setup:
    python3 -m pip install -e '.[test]'

# All three statements of the whole body (pass e.g. `bs --by-segment`).
report *args:
    yosan report {{args}} --ledger {{ledger}}

# Every plugin's errors as file:line: message; exit 1 on any.
check:
    yosan check --ledger {{ledger}}

# The whole test suite.
test:
    python3 -m pytest -q

# ruff, as CI has it.
lint:
    ruff check .
    ruff format --check .

# Time yosan against bean-check and hledger on generated ledgers of 10k and 100k
# transactions and print the table (`just bench --million` adds 1M; see README).
bench *args:
    python3 benchmarks/bench.py {{args}}
