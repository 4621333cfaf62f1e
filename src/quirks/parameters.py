"""Configuration kept in SSM Parameter Store or Secrets Manager, read one way.

The handlers read their configuration (the fan-out config, the alarms config, the Slack webhook)
through Powertools' parameters utility
(https://docs.powertools.aws.dev/lambda/python/latest/utilities/parameters/): its providers
decrypt ``SecureString`` parameters, cache values for ``max_age`` seconds and take the client
from our factory. A :class:`Parameters` is built once per container by a composition root, so its
cache lives as long as the container; a value that cannot be read is a
:class:`~quirks.errors.ConfigurationError` naming the parameter, never its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider

__all__ = ["Parameters"]


class Parameters:
    """SSM parameters and Secrets Manager secrets, through Powertools, with ``clients``' clients.

    ``max_age=0`` always reads AWS; otherwise a value is reused for ``max_age`` seconds.
    """

    def __init__(self, clients: aws.ClientFactory | None = None) -> None:
        self._clients = clients or aws.current()
        self._ssm: SSMProvider | None = None
        self._secrets: SecretsProvider | None = None

    def ssm(self, name: str, *, what: str, fix: str, max_age: int = 0) -> str:
        """The (decrypted) value of SSM parameter ``name``; ``what`` names it in errors."""
        if self._ssm is None:
            # Imported here: only configurations kept in SSM pay for the parameters utility.
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            self._ssm = SSMProvider(boto3_client=self._clients.client("ssm"))
        provider = self._ssm
        return self._read(
            lambda: provider.get(name, max_age=max_age, decrypt=True, force_fetch=not max_age),
            f"{what} from SSM parameter {name!r}",
            fix,
        )

    def secret(self, name: str, *, what: str, fix: str, max_age: int = 0) -> str:
        """The string value of Secrets Manager secret ``name``; ``what`` names it in errors."""
        if self._secrets is None:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            self._secrets = SecretsProvider(boto3_client=self._clients.client("secretsmanager"))
        provider = self._secrets
        return self._read(
            lambda: provider.get(name, max_age=max_age, force_fetch=not max_age),
            f"{what} from secret {name!r}",
            fix,
        )

    @staticmethod
    def _read(get: Any, source: str, fix: str) -> str:
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

        try:
            value = get()
        except GetParameterError as exc:
            raise ConfigurationError(f"cannot read {source}: {exc}", fix) from None
        return value if isinstance(value, str) else str(value)
