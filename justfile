# yosan-ledger recipes: `just setup`, then `just report`.

ledger := "ledger/main.beancount"
# The virtual environment the README's first command makes, and its programs.
bin := ".venv/bin"

# Make the environment; install the package, its command `yosan`, and the test tools.
setup:
    python3 -m venv .venv
    {{bin}}/pip install -e '.[test]'

# All three statements of the whole body (pass e.g. `bs --by-segment`).
report *args:
    {{bin}}/yosan report {{args}} --ledger {{ledger}}

# Every plugin's errors as file:line: message; exit 1 on any.
check:
    {{bin}}/yosan check --ledger {{ledger}}

# The statements in Fava on http://127.0.0.1:5000 (pass e.g. `--port 5001 --read-only`).
fava *args:
    {{bin}}/yosan fava --ledger {{ledger}} {{args}}

# README screenshots of the Fava pages (needs chromium and fonts-noto-cjk).
screenshots:
    {{bin}}/python docs/screenshots.py

# The whole test suite.
test:
    {{bin}}/python -m pytest -q

# ruff, as CI has it.
lint:
    {{bin}}/ruff check .
    {{bin}}/ruff format --check .

# Every output format into out/: Excel, PDF, HTML, CSV and the Parquet folder.
exports:
    mkdir -p out
    {{bin}}/yosan export --format xlsx -o out/statements.xlsx --ledger {{ledger}}
    {{bin}}/yosan report -o out/statements.pdf --ledger {{ledger}}
    {{bin}}/yosan report --by-segment -o out/statements-by-segment.pdf --ledger {{ledger}}
    {{bin}}/yosan report --by-segment -o out/statements-by-segment.html --ledger {{ledger}}
    {{bin}}/yosan export --excel-compatible -o out/figures.csv --ledger {{ledger}}
    {{bin}}/yosan export --format parquet -o out/parquet --ledger {{ledger}}

# The README's picture: the segment income statement, as the PDF prints it.
docs-picture:
    mkdir -p out
    {{bin}}/yosan report pl --by-segment -o out/pl-by-segment.pdf --ledger {{ledger}}
    pdftoppm -r 110 -png -singlefile out/pl-by-segment.pdf docs/report-pl-by-segment

# `just --list` shows the one comment line above a recipe: keep each to one line.

# Time yosan, bean-check and hledger at 10k and 100k transactions (--million adds 1M)
bench *args:
    {{bin}}/python benchmarks/bench.py {{args}}

# Messages: extract them into the template, merge it into the Japanese catalog, compile it.
translations:
    {{bin}}/python -m babel.messages.frontend extract --no-location --sort-output --omit-header -k _ -k localized -o plugins/core/locale/yosan.pot load plugins reports
    {{bin}}/python -m babel.messages.frontend update --ignore-obsolete --width 100 -i plugins/core/locale/yosan.pot -d plugins/core/locale -D yosan
    {{bin}}/python -m babel.messages.frontend compile -d plugins/core/locale -D yosan

# Time `yosan consolidate` on 10, 100 and 1,000 made-up ledgers (pass --spark, --write-readme)
bench-consolidate *args:
    {{bin}}/python benchmarks/consolidate.py run {{args}}
