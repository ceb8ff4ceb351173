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

# The statements in Fava on http://127.0.0.1:5000 (pass e.g. `--port 5001 --read-only`).
fava *args:
    yosan fava --ledger {{ledger}} {{args}}

# README screenshots of the Fava pages (needs chromium and fonts-noto-cjk).
screenshots:
    python3 docs/screenshots.py

# The whole test suite.
test:
    python3 -m pytest -q

# ruff, as CI has it.
lint:
    ruff check .
    ruff format --check .

# Every output format into out/: Excel, PDF, HTML, CSV and the Parquet folder.
exports:
    mkdir -p out
    yosan export --format xlsx -o out/statements.xlsx --ledger {{ledger}}
    yosan report -o out/statements.pdf --ledger {{ledger}}
    yosan report --by-segment -o out/statements-by-segment.pdf --ledger {{ledger}}
    yosan report --by-segment -o out/statements-by-segment.html --ledger {{ledger}}
    yosan export --excel-compatible -o out/figures.csv --ledger {{ledger}}
    yosan export --format parquet -o out/parquet --ledger {{ledger}}

# The README's picture: the segment income statement, as the PDF prints it.
docs-picture:
    mkdir -p out
    yosan report pl --by-segment -o out/pl-by-segment.pdf --ledger {{ledger}}
    pdftoppm -r 110 -png -singlefile out/pl-by-segment.pdf docs/report-pl-by-segment

# `just --list` shows the one comment line above a recipe: keep each to one line.

# Time yosan, bean-check and hledger at 10k and 100k transactions (--million adds 1M)
bench *args:
    python3 benchmarks/bench.py {{args}}

# Messages: extract them into the template, merge it into the Japanese catalog, compile it.
translations:
    python3 -m babel.messages.frontend extract --no-location --sort-output --omit-header -k _ -k localized -o plugins/core/locale/yosan.pot plugins reports
    python3 -m babel.messages.frontend update --width 100 -i plugins/core/locale/yosan.pot -d plugins/core/locale -D yosan
    python3 -m babel.messages.frontend compile -d plugins/core/locale -D yosan

# Time `yosan consolidate` on 10, 100 and 1,000 made-up ledgers (pass --spark, --write-readme)
bench-consolidate *args:
    python3 benchmarks/consolidate.py run {{args}}
