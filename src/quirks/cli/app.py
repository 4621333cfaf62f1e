"""The root ``quirks`` command: global options, sub-apps, and error handling.

Global options go before or after the command (``quirks --region eu-west-1 streams cat x`` or
``quirks streams cat x --region eu-west-1``), as with the AWS CLI (:mod:`quirks.cli.globalopts`).
Errors the user can fix print one line with the fix on stderr and exit 2; unexpected errors exit 1
with one line too, and show the traceback only with ``--debug``.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Annotated

import typer
from botocore.exceptions import (
    BotoCoreError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from quirks import __version__, aws
from quirks.cli import alarms as alarms_cmd
from quirks.cli import alerts as alerts_cmd
from quirks.cli import appsync as appsync_cmd
from quirks.cli import audit as audit_cmd
from quirks.cli import cognito as cognito_cmd
from quirks.cli import config as config_cmd
from quirks.cli import demo as demo_cmd
from quirks.cli import fanout as fanout_cmd
from quirks.cli import local as local_cmd
from quirks.cli import package as package_cmd
from quirks.cli import recover as recover_cmd
from quirks.cli import streams as streams_cmd
from quirks.cli.context import CliState, Injected, last_state, remember
from quirks.cli.globalopts import hoist_global_options
from quirks.cli.helptext import tidy
from quirks.cli.logs import configure_logging
from quirks.errors import AwsError, QuirksError, UserError

if TYPE_CHECKING:
    from collections.abc import Callable

app = typer.Typer(
    name="quirks",
    help="Make the sharp edges of AWS serverless backends safe by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(streams_cmd.app, name="streams")
app.add_typer(alarms_cmd.app, name="alarms")
app.add_typer(fanout_cmd.app, name="fanout")
app.add_typer(cognito_cmd.app, name="cognito-domain")
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(local_cmd.app, name="local")
app.add_typer(appsync_cmd.app, name="appsync")
app.add_typer(recover_cmd.app, name="recover")
app.command("audit")(audit_cmd.audit)
app.command("config")(config_cmd.show_config)
app.command("demo")(demo_cmd.demo)
app.command("package")(package_cmd.package)


INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
DETAILED_EXITCODE = "--detailed-exitcode"  # exit 2 = changes (alarms plan), so errors exit 1


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quirks {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    region: Annotated[
        str | None, typer.Option(help="AWS region (default: AWS_REGION, then your profile).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Named profile from ~/.aws/config (default: AWS_PROFILE).")
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(
            "--endpoint-url",
            help="Send every AWS call to this endpoint (default: AWS_ENDPOINT_URL[_<SERVICE>]).",
        ),
    ] = None,
    max_attempts: Annotated[
        int,
        typer.Option(min=1, max=20, help="Attempts per AWS call (standard retry mode)."),
    ] = aws.DEFAULT_MAX_ATTEMPTS,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Options given here apply to every command."""
    settings = aws.AwsSettings(
        region=region, profile=profile, endpoint_url=endpoint_url, max_attempts=max_attempts
    )
    source = ctx.get_parameter_source("max_attempts")
    given = getattr(source, "name", None) == "COMMANDLINE"  # typer vendors click: by name
    state = CliState(
        settings=settings, debug=debug, max_attempts_source="--max-attempts" if given else "default"
    )
    # main(clients=..., resolver=...) hands them in (tests inject faults); else they are built here.
    injected = ctx.obj if isinstance(ctx.obj, Injected) else Injected()
    state.factory = injected.clients or aws.configure(settings)
    state.resolver = injected.resolver
    remember(state)
    configure_logging(debug=debug)
    ctx.obj = state


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"quirks: error: {message}\n")
    if last_state().debug:
        traceback.print_exc(file=sys.stderr)
    return code


def _aws_one_line(exc: BaseException) -> str:
    if isinstance(exc, AwsError):
        return exc.describe()
    return str(exc)


def _usage_exit(args: list[str], code: int) -> int:
    """Click's exit code for a usage error, or 1 under ``--detailed-exitcode``.

    Click rejects the command line before the command runs (so before it can set
    ``user_error_exit``); with ``--detailed-exitcode`` exit 2 means "changes", so that a CI job
    never mistakes a typo for drift.
    """
    options = args[: args.index("--")] if "--" in args else args
    if code == 2 and DETAILED_EXITCODE in options:
        return 1
    return code


def main(
    argv: list[str] | None = None,
    *,
    clients: aws.ClientFactory | None = None,
    resolver: Callable[[str], bool] | None = None,
) -> int:
    """Run the CLI and return its exit code (the ``quirks`` console script).

    ``clients`` replaces the factory the global options would build and ``resolver`` the system
    DNS resolver (tests pass a factory on moto, with fault-injecting clients, and no DNS).
    """
    remember(CliState())
    configure_logging(debug=False)
    command = typer.main.get_command(app)
    tidy(command)
    args = hoist_global_options(command, sys.argv[1:] if argv is None else list(argv))
    try:
        result = command.main(
            args=args,
            prog_name="quirks",
            standalone_mode=False,
            obj=Injected(clients, resolver),
        )
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return _fail("aborted", 130)
    except typer.TyperException as exc:  # usage errors: click's message and exit code 2
        exc.show()  # type: ignore[attr-defined]
        return _usage_exit(args, int(exc.exit_code))
    except UserError as exc:
        return _fail(exc.one_line(), last_state().user_error_exit)
    except (NoCredentialsError, PartialCredentialsError):
        return _fail(
            "no AWS credentials found (fix: set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or pass --profile)",
            last_state().user_error_exit,
        )
    except NoRegionError:
        return _fail(
            "no AWS region is configured (fix: pass --region or set AWS_REGION)",
            last_state().user_error_exit,
        )
    except EndpointConnectionError as exc:
        return _fail(
            f"{exc} (fix: check --endpoint-url / AWS_ENDPOINT_URL and your network)",
            last_state().user_error_exit,
        )
    except (AwsError, BotoCoreError) as exc:
        return _fail(_aws_one_line(exc), 1)
    except QuirksError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return _fail("interrupted (nothing is left running)", INTERRUPTED)
    except Exception as exc:
        return _fail(
            f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1
        )
    if result == INTERRUPTED:  # typer turns Ctrl-C into a silent exit code 130; say it
        return _fail("interrupted (nothing is left running)", INTERRUPTED)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
