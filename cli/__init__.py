"""The ``signaldesk`` command line.

Every command loads and validates settings first; user errors print one line to stderr and
exit with a code from ``Exit``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import typer

from cli._errors import describe, log_to_files
from cli._output import err_console
from cli.ask import ask, chat
from cli.briefing import briefing_app
from cli.config import config_app
from cli.data import data_app
from cli.db import db_app
from cli.demo import demo
from cli.documents import ingest_app, search, sentiment
from cli.eval import eval_app
from cli.jobs import jobs_app
from cli.models import models_app
from cli.monitor import monitor
from cli.research import backtest, risk, signal, technicals, train
from cli.serve import serve_app
from cli.simulate import simulate
from cli.ui import ui_app
from cli.worker import worker
from core import tracing
from core.logs import new_run_id, run_scope

__all__ = ["app", "main"]

log = logging.getLogger(__name__)

app = typer.Typer(
    name="signaldesk",
    help="SignalDesk: a research agent for equities with point-in-time data and cited answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data_app, name="data")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(ingest_app, name="ingest")
app.add_typer(briefing_app, name="briefing")
app.add_typer(eval_app, name="eval")
app.add_typer(models_app, name="models")
app.add_typer(ui_app, name="ui")
app.add_typer(serve_app, name="serve")
app.add_typer(jobs_app, name="jobs")
app.command("ask")(ask)
app.command("chat")(chat)
app.command("demo")(demo)
app.command("risk")(risk)
app.command("technicals")(technicals)
app.command("signal")(signal)
app.command("train")(train)
app.command("backtest")(backtest)
app.command("search")(search)
app.command("sentiment")(sentiment)
app.command("monitor")(monitor)
app.command("simulate")(simulate)
app.command("worker")(worker)


# the service name of each long-running role's traces (OTEL_SERVICE_NAME wins)
_SERVICES = {"ui": "signaldesk-chat", "serve": "signaldesk-api", "worker": "signaldesk-worker"}


@app.callback()
def _startup(ctx: typer.Context) -> None:
    """Load settings once per invocation, check the home folder and set up logging."""
    from core.home import check_home
    from core.logs import configure_logging
    from core.settings import load_settings

    settings = load_settings()
    check_home(settings.home)
    configure_logging(settings)
    tracing.configure(_SERVICES.get(ctx.invoked_subcommand or "", "signaldesk-cli"))
    ctx.obj = settings


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; ``argv`` (the arguments after ``signaldesk``) defaults to
    the command line. Exits with the command's code (``SystemExit``), as a process would.

    An error the user can act on (``cli._errors.describe``) prints one line and exits with its
    code; any other keeps its traceback (a bug to report). A log record that cannot be written
    (a full disk) is dropped quietly rather than printed with a traceback."""
    raising = logging.raiseExceptions
    logging.raiseExceptions = False
    try:
        with run_scope(new_run_id()):
            _run(argv)
    finally:
        logging.raiseExceptions = raising


def _run(argv: Sequence[str] | None) -> None:
    try:
        if argv is None:
            app()
        else:
            app(args=list(argv), prog_name="signaldesk")
    except Exception as err:
        found = describe(err)
        if found is None:
            raise
        code, line = found
        log_to_files(log, "command failed", error=line, exit_code=int(code))
        err_console.print(f"error: {line}", markup=False)
        raise SystemExit(code) from None
