"""``switchboard``: the command line of Switchboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _docs(_: argparse.Namespace) -> int:
    from schemas.export import write
    from switchboard.contract import ASYNCAPI_PATH, write_asyncapi

    write()
    write_asyncapi()
    print(f"wrote schemas/json/*.json and {ASYNCAPI_PATH.relative_to(REPO_ROOT)}")
    return 0


def _walkthrough(args: argparse.Namespace) -> int:
    from switchboard.localkafka import ensure_local_kafka
    from switchboard.walkthrough import run_walkthrough

    run_walkthrough(ensure_local_kafka(), args.config, args.log_dir)
    return 0


def _topics(args: argparse.Namespace) -> int:
    import asyncio

    from plumbing.kafka import ensure_topics
    from plumbing.settings import ServiceSettings
    from schemas.config import load_config
    from schemas.topics import all_topics

    settings = ServiceSettings()
    config = load_config(settings.config_path)
    specs = all_topics(config.in_house_team_ids)
    if args.action == "create":
        asyncio.run(ensure_topics(settings, specs))
    for spec in specs:
        settings_text = ",".join(f"{k}={v}" for k, v in sorted(spec.config().items()))
        print(f"{settings.topic(spec.name)}\tpartitions={spec.partitions}\t{settings_text}")
    return 0


def _agent(args: argparse.Namespace) -> int:
    from switchboard.agent.command import run_agent

    return run_agent(args.team, args.agent_id)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    docs = commands.add_parser("docs", help="regenerate JSON Schemas and the AsyncAPI document")
    docs.set_defaults(run=_docs)

    topics = commands.add_parser(
        "topics",
        help="list, or create, every topic the deployment needs (uses KAFKA_* and "
        "SWITCHBOARD_CONFIG from the environment)",
    )
    topics.add_argument("action", choices=["list", "create"])
    topics.set_defaults(run=_topics)

    agent = commands.add_parser(
        "agent",
        help="work a team's queue: list tickets, mark first response, resolve or release "
        "(commands on stdin; uses KAFKA_* and SWITCHBOARD_TOPIC_PREFIX from the environment)",
    )
    agent.add_argument("--team", required=True, help="in-house team id, e.g. tallinn-care")
    agent.add_argument("--agent-id", help="who is working (default: the login name)")
    agent.set_defaults(run=_agent)

    walk = commands.add_parser(
        "walkthrough", help="push a handful of messages through the real services"
    )
    walk.add_argument("--config", type=Path, default=REPO_ROOT / "deploy/config/switchboard.yaml")
    walk.add_argument("--log-dir", type=Path, default=REPO_ROOT / ".run/walkthrough")
    walk.set_defaults(run=_walkthrough)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
