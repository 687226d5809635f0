# Switchboard: the two commands a new machine needs are `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup demo test lint unit docs kafka-start kafka-stop

setup:
	@scripts/setup.sh

## Set everything up, start local Kafka and the three services, and run the demo.
demo: setup
	$(PY) -m switchboard.cli walkthrough

## Set everything up and run the whole test suite (static checks first).
test: setup lint
	$(PY) -m pytest

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

## Fast feedback: pure and in-memory tests only.
unit: setup
	$(PY) -m pytest tests/unit

docs: setup
	$(PY) -m switchboard.cli docs

kafka-start:
	deploy/kafka/kafka.sh start

kafka-stop:
	deploy/kafka/kafka.sh stop
