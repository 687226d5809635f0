# Switchboard: the two commands a new machine needs are `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup system-demo tools demo demo-repeat walkthrough test lint unit chaos docs validate k8s-generated kafka-start kafka-stop

setup:
	@scripts/setup.sh

## The Debian packages the demo needs (Java, Maven, Python's venv): installed when run as
## root, else the one command to run first is printed.
system-demo:
	@scripts/setup-system.sh --demo

## Tools only the deployment checks need (kustomize, built with Go from its module proxy).
tools:
	@scripts/install-kustomize.sh

## Set everything up, start local Kafka and the services, and play the Black Friday week
## on the lockstep clock: live counters, a summary, every policy side by side, an HTML report.
demo: system-demo setup
	$(PY) -m switchboard.cli demo

## Lockstep outcomes do not depend on the machine: two short demos with the same seed,
## the second beside a CPU hog, must give the same first-response figures per channel.
demo-repeat: setup
	DEMO_REPEAT=1 $(PY) -m pytest tests/e2e/test_demo_repeat.py -s -p no:cacheprovider

## The short guided tour: a handful of messages through the services, one by one.
walkthrough: setup
	$(PY) -m switchboard.cli walkthrough

## Set everything up and run the whole test suite (static checks first).
test: setup tools lint
	$(PY) -m pytest

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

## Fast feedback: pure and in-memory tests only.
unit: setup
	$(PY) -m pytest tests/unit

## A long chaos run: SIGKILLs and a broker restart under Black Friday traffic, then the
## books must balance (the normal suite runs 150 s of it). CHAOS_SECONDS sets the length.
CHAOS_SECONDS ?= 900
chaos: setup
	CHAOS_SECONDS=$(CHAOS_SECONDS) $(PY) -m pytest tests/chaos -s -p no:cacheprovider

docs: setup
	$(PY) -m switchboard.cli docs

## Offline checks of the deployment files: Dockerfile (hadolint), docker-compose.yml
## (Compose specification), deploy/k8s (kustomize + Kubernetes and CRD schemas), and that
## their topics agree with schemas/topics.py. Also part of `make test`.
validate: setup tools
	$(PY) -m pytest tests/deploy

## Regenerate the manifests derived from the code (Strimzi KafkaTopics, PrometheusRule).
k8s-generated: setup
	$(PY) scripts/generate-k8s.py

kafka-start:
	deploy/kafka/kafka.sh start

kafka-stop:
	deploy/kafka/kafka.sh stop
