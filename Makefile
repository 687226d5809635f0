# Switchboard: the two commands a new machine needs are `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup system-demo tools demo demo-repeat walkthrough test lint unit chaos chaos-cluster soak agents docs validate k8s-generated kafka-start kafka-stop

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
	$(PY) -m pytest tests/e2e/test_demo_repeat.py -m demo_repeat -s -p no:cacheprovider

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
## books must balance (the normal suite runs 150 s of it). CHAOS_SECONDS sets the length;
## CHAOS_RUNS runs it that many times in a row (stopping at the first failure), each
## with its own sequence of kills (CHAOS_SEED 1, 2, ...). The same for chaos-cluster.
CHAOS_SECONDS ?= 900
CHAOS_RUNS ?= 1
chaos: setup
	@for run in $$(seq 1 $(CHAOS_RUNS)); do \
	  echo "== chaos run $$run of $(CHAOS_RUNS) (CHAOS_SEED=$$run)"; \
	  CHAOS_SEED=$$run CHAOS_SECONDS=$(CHAOS_SECONDS) \
	    $(PY) -m pytest tests/chaos/test_chaos.py -s -p no:cacheprovider || exit 1; \
	done

## Faults on a three-node cluster under Black Friday load: the leader of most tickets
## partitions killed (with router and SLA) and back, rolling restarts, services killed at
## random; then the books. CLUSTER_CHAOS_SECONDS sets the length (0: the one short cycle
## the normal suite runs).
CLUSTER_CHAOS_SECONDS ?= 900
chaos-cluster: setup
	@for run in $$(seq 1 $(CHAOS_RUNS)); do \
	  echo "== cluster chaos run $$run of $(CHAOS_RUNS) (CHAOS_SEED=$$run)"; \
	  CHAOS_SEED=$$run CLUSTER_CHAOS_SECONDS=$(CLUSTER_CHAOS_SECONDS) \
	    $(PY) -m pytest tests/chaos/test_cluster.py -s -p no:cacheprovider || exit 1; \
	done

## A steady Black Friday evening on the cluster for SOAK_MINUTES; fails if any service's
## memory, open files or consumer lag grows without bound after the warm-up. SOAK_REPORT
## names the JSON file the samples and verdicts go to.
SOAK_MINUTES ?= 60
soak: setup
	SOAK_MINUTES=$(SOAK_MINUTES) $(PY) -m pytest tests/soak -m soak -s -p no:cacheprovider

## A long run of the in-house agents' test: ten terminals sharing one queue, kills, a
## logout and a router restart, judged from the events (the normal suite plays 60 tickets).
AGENTS_TICKETS ?= 400
agents: setup
	AGENTS_TICKETS=$(AGENTS_TICKETS) $(PY) -m pytest tests/e2e/test_agents.py -s -p no:cacheprovider

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
