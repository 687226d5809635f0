"""``switchboard``: the command line of Switchboard."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _docs(_: argparse.Namespace) -> int:
    from schemas.export import write
    from switchboard.contract import (
        ASYNCAPI_PATH,
        PARTNER_API_PATH,
        write_asyncapi,
        write_partner_api,
    )

    write()
    write_asyncapi()
    write_partner_api()
    print(
        f"wrote schemas/json/*.json, {ASYNCAPI_PATH.relative_to(REPO_ROOT)} and "
        f"{PARTNER_API_PATH.relative_to(REPO_ROOT)}"
    )
    return 0


def _walkthrough(args: argparse.Namespace) -> int:
    from switchboard.localkafka import ensure_local_kafka
    from switchboard.walkthrough import run_walkthrough

    run_walkthrough(ensure_local_kafka(), args.config, args.log_dir)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from switchboard.demo.plan import DemoOptions
    from switchboard.demo.run import run_demo
    from switchboard.localkafka import ensure_local_kafka

    try:
        options = DemoOptions(
            first_day=args.start,
            days=args.days,
            speed=args.speed,
            seed=args.seed,
            volume_scale=args.volume,
            out=args.out,
            browser=not args.no_browser,
            lockstep=args.clock == "lockstep",
            step_seconds=args.step,
            heartbeat_seconds=args.heartbeat,
        )
    except ValueError as error:
        print(f"switchboard demo: {error}", file=sys.stderr)
        return 2
    result = run_demo(options, ensure_local_kafka(), args.config)
    return 1 if result.problems else 0


def _topics(args: argparse.Namespace) -> int:
    import asyncio

    from plumbing.kafka import KafkaUnavailableError, TopicSetupError, ensure_topics
    from plumbing.settings import ServiceSettings
    from schemas.config import load_config
    from schemas.topics import all_topics

    settings = ServiceSettings()
    config = load_config(settings.config_path)
    specs = all_topics(config.in_house_team_ids)
    if args.action == "kafkatopics":
        from switchboard.manifests import kafka_topics_yaml

        if not args.cluster:
            print("switchboard topics kafkatopics: --cluster is required", file=sys.stderr)
            return 2
        text = kafka_topics_yaml(
            specs,
            prefix=settings.topic_prefix,
            cluster=args.cluster,
            replicas=args.replicas or settings.kafka_replication_factor,
            config=str(settings.config_path),
        )
        print(text, end="")
        return 0
    if args.action == "create":
        try:
            asyncio.run(ensure_topics(settings, specs))
        except (KafkaUnavailableError, TopicSetupError) as exc:
            print(f"switchboard topics create: {exc}", file=sys.stderr)
            return 3
    for spec in specs:
        settings_text = ",".join(f"{k}={v}" for k, v in sorted(spec.config().items()))
        print(f"{settings.topic(spec.name)}\tpartitions={spec.partitions}\t{settings_text}")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _simulate(args: argparse.Namespace) -> int:
    from rich.console import Console

    from switchboard.simulator import (
        TrafficParams,
        day_range,
        generate_traffic,
        render_summary,
        summarise,
        write_jsonl,
    )

    try:
        params = TrafficParams(baseline_contacts_per_day=args.baseline, shop_timezone=args.timezone)
        start, end = day_range(args.first_day, args.last_day, params.shop_timezone)
    except (ValueError, KeyError) as error:
        print(f"switchboard simulate: {error}", file=sys.stderr)
        return 2
    messages = generate_traffic(start, end, seed=args.seed, params=params)
    console = Console()
    render_summary(
        summarise(messages, start=start, end=end, seed=args.seed, params=params), console
    )
    if args.out is not None:
        written = write_jsonl(messages, args.out)
        console.print(f"wrote {written:,} messages to {args.out}")
    return 0


def _classify(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC, datetime

    from schemas.base import Channel
    from schemas.config import ConfigError, load_config
    from services.ingest.app import build_enricher
    from services.ingest.classify import ClassifyError, classify
    from services.ingest.settings import IngestSettings

    settings = IngestSettings()
    raw = sys.stdin.read() if args.message in (None, "-") else args.message
    try:
        config = load_config(args.config or settings.config_path)
        result = classify(
            raw,
            config=config,
            enricher=build_enricher(config),
            now=datetime.now(UTC),
            max_bytes=settings.max_message_bytes,
            channel=Channel(args.channel) if args.channel else None,
        )
    except (ConfigError, ClassifyError) as exc:
        print(f"switchboard classify: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _agent(args: argparse.Namespace) -> int:
    from switchboard.agent.command import run_agent

    return run_agent(args.team, args.agent_id)


def _ledger(args: argparse.Namespace) -> int:
    import asyncio
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.table import Table

    from plumbing.settings import ServiceSettings
    from switchboard.ledger import Expectations, check, read_books, summary

    settings = ServiceSettings()
    books = asyncio.run(read_books(settings.kafka_bootstrap_servers, settings.topic_prefix))
    table = Table(title=f"Books of {settings.topic_prefix or '(no prefix)'}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in summary(books).items():
        table.add_row(what, f"{count:,}")
    console = Console()
    console.print(table)
    # Without the run's own knowledge (bad inputs fed on purpose, SLA oracle) only the
    # structural checks apply: every message once, serial assignments, one breach each.
    problems = [
        p
        for p in check(books, Expectations(ended_at=datetime.now(UTC)))
        if not p.startswith(("unexpected dead letter", "bad input never"))
    ]
    for problem in problems[: args.limit]:
        console.print(f"[red]{problem}[/red]")
    console.print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


def _partner_key(args: argparse.Namespace) -> int:
    import secrets
    from datetime import UTC, datetime

    from schemas.base import TeamKind
    from schemas.config import ConfigError, load_config
    from services.router.partner_api.domain.keys import key_hash, mint_key

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"switchboard partner-key: {exc}", file=sys.stderr)
        return 2
    partners = [team.id for team in config.teams if team.kind is TeamKind.PARTNER]
    if args.team not in partners:
        print(
            f"switchboard partner-key: {args.team!r} is not a partner team in {args.config} "
            f"(partners: {', '.join(partners)})",
            file=sys.stderr,
        )
        return 2
    key = mint_key()
    key_id = args.key_id or (f"{args.team}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(2)}")
    print(f"API key for {args.team} (shown once; hand it to the partner over a secure channel):")
    print(f"  {key}")
    print("Add it to SWITCHBOARD_CONFIG (only the hash is stored):")
    print("partner_api:\n  partners:")
    print(f"    {args.team}:\n      keys:")
    print(f"        - id: {key_id}\n          sha256: {key_hash(key)}")
    return 0


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from switchboard.demo.plan import (
        DEFAULT_HEARTBEAT_SECONDS,
        DEFAULT_SPEED,
        DEFAULT_STEP_SECONDS,
        DEFAULT_VOLUME_SCALE,
    )
    from switchboard.simulator.params import DEFAULT_SEED, DEMO_FIRST_DAY

    demo = commands.add_parser(
        "demo",
        help="play the Black Friday week through the real services on a scaled clock; "
        "live counters, a summary, the books checked and an HTML report",
    )
    demo.add_argument(
        "--start",
        type=_date,
        default=DEMO_FIRST_DAY,
        help=f"first simulated day, YYYY-MM-DD (default {DEMO_FIRST_DAY})",
    )
    demo.add_argument("--days", type=int, default=7, help="simulated days (default 7)")
    demo.add_argument(
        "--clock",
        choices=["lockstep", "realtime"],
        default="lockstep",
        help="lockstep (default): the services' clock moves only once everything before it "
        "was processed, so the outcome is the same on any machine; realtime: simulated time "
        "runs --speed times faster than real time, and the outcome includes the services' "
        "real latency on this machine",
    )
    demo.add_argument(
        "--step",
        type=float,
        default=DEFAULT_STEP_SECONDS,
        help="lockstep: simulated seconds between the instants the clock stops at "
        f"(default {DEFAULT_STEP_SECONDS:g})",
    )
    demo.add_argument(
        "--heartbeat",
        type=float,
        default=DEFAULT_HEARTBEAT_SECONDS,
        help="lockstep: the clock stops at least this often, in simulated seconds "
        f"(default {DEFAULT_HEARTBEAT_SECONDS:g})",
    )
    demo.add_argument(
        "--speed",
        type=float,
        default=DEFAULT_SPEED,
        help=f"realtime: simulated seconds per real second (default {DEFAULT_SPEED:g}: a day "
        "in a minute)",
    )
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same traffic")
    demo.add_argument(
        "--volume",
        type=float,
        default=DEFAULT_VOLUME_SCALE,
        help="share of the simulator's traffic to play, the desk's headcount scaled alike "
        f"(default {DEFAULT_VOLUME_SCALE:g})",
    )
    demo.add_argument(
        "--out", type=Path, default=REPO_ROOT / ".run/demo", help="where the report goes"
    )
    demo.add_argument("--no-browser", action="store_true", help="do not open the report")
    demo.add_argument("--config", type=Path, default=REPO_ROOT / "deploy/config/switchboard.yaml")
    demo.set_defaults(run=_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    docs = commands.add_parser("docs", help="regenerate JSON Schemas and the AsyncAPI document")
    docs.set_defaults(run=_docs)

    ledger = commands.add_parser(
        "ledger",
        help="read the topics from the beginning and check the books (uses KAFKA_* and "
        "SWITCHBOARD_TOPIC_PREFIX): every message once, serial assignments, one breach each",
    )
    ledger.add_argument("--limit", type=int, default=50, help="problems to print at most")
    ledger.set_defaults(run=_ledger)

    topics = commands.add_parser(
        "topics",
        help="list, or create, every topic the deployment needs, or print them as Strimzi "
        "KafkaTopic manifests (uses KAFKA_*, SWITCHBOARD_TOPIC_PREFIX and SWITCHBOARD_CONFIG "
        "from the environment)",
    )
    topics.add_argument("action", choices=["list", "create", "kafkatopics"])
    topics.add_argument("--cluster", help="kafkatopics: the Strimzi Kafka cluster's name")
    topics.add_argument(
        "--replicas",
        type=int,
        help="kafkatopics: replicas per partition (default KAFKA_REPLICATION_FACTOR)",
    )
    topics.set_defaults(run=_topics)

    from switchboard.simulator.params import (
        DEFAULT_SEED,
        DEMO_FIRST_DAY,
        DEMO_LAST_DAY,
        TrafficParams,
    )

    defaults = TrafficParams()

    simulate = commands.add_parser(
        "simulate",
        help="generate seeded e-commerce support traffic for a date range and summarise it",
    )
    simulate.add_argument(
        "--from",
        dest="first_day",
        type=_date,
        default=DEMO_FIRST_DAY,
        help=f"first day, YYYY-MM-DD (default {DEMO_FIRST_DAY}, the Black Friday week)",
    )
    simulate.add_argument(
        "--to",
        dest="last_day",
        type=_date,
        default=DEMO_LAST_DAY,
        help=f"last day, included (default {DEMO_LAST_DAY})",
    )
    simulate.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same traffic")
    simulate.add_argument(
        "--baseline",
        type=float,
        default=defaults.baseline_contacts_per_day,
        help="first contacts (new conversations) on an ordinary day, all markets together "
        f"(default {defaults.baseline_contacts_per_day:g})",
    )
    simulate.add_argument(
        "--timezone",
        default=defaults.shop_timezone,
        help=f"where days start and end, an IANA name (default {defaults.shop_timezone})",
    )
    simulate.add_argument(
        "--out", type=Path, help="also write the messages as JSON Lines to this file"
    )
    simulate.set_defaults(run=_simulate)

    classify = commands.add_parser(
        "classify",
        help="print the enrichment (language, skill, priority) ingest gives one message",
        description="Classify one message exactly as the ingest service would: plain text, "
        "or a channel JSON payload (as on inbound.<channel>), from the argument or stdin.",
    )
    classify.add_argument("message", nargs="?", help="the message; '-' or nothing reads stdin")
    classify.add_argument(
        "--channel",
        choices=["email", "chat", "phone", "social", "marketplace"],
        help="channel of the message (default: the payload's 'channel', else email)",
    )
    classify.add_argument("--config", type=Path, help="config file (default: SWITCHBOARD_CONFIG)")
    classify.set_defaults(run=_classify)

    agent = commands.add_parser(
        "agent",
        help="work a team's queue: list tickets, mark first response, resolve or release "
        "(commands on stdin; uses KAFKA_* and SWITCHBOARD_TOPIC_PREFIX from the environment)",
    )
    agent.add_argument("--team", required=True, help="in-house team id, e.g. tallinn-care")
    agent.add_argument("--agent-id", help="who is working (default: the login name)")
    agent.set_defaults(run=_agent)

    partner_key = commands.add_parser(
        "partner-key",
        help="mint an API key for a partner team and print it with the hash to configure",
    )
    partner_key.add_argument("--team", required=True, help="partner team id, e.g. nearshore-bpo")
    partner_key.add_argument("--key-id", help="name of the key (default: <team>-<date>-<hex>)")
    partner_key.add_argument(
        "--config",
        type=Path,
        default=Path(
            os.environ.get("SWITCHBOARD_CONFIG", REPO_ROOT / "deploy/config/switchboard.yaml")
        ),
        help="config file (default: SWITCHBOARD_CONFIG)",
    )
    partner_key.set_defaults(run=_partner_key)

    _add_demo(commands)

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
