"""The error tree of the application.

Every error the user may see carries a Russian ``title`` and ``message`` (the window's
text), and ``cli_message`` (the same, with the command to run where the window names a tab). Errors are
translated once, at the boundary (HTTP, SQLite, OS), into one of these classes; the CLI
prints ``message`` and exits 1, the window shows it in a dialog. Imports nothing of the app.

    AppError
     +-- SettingsError        settings file missing, broken, or a bad value
     +-- PasswordError        no password / no secure keyring
     +-- DatabaseError        the database cannot be opened or written
     |    +-- IntegrityError  a unique key or constraint refused a write
     +-- ImportFileError      a table file with bad rows (lists them)
     +-- RegistryError        a MOISCHETA/1 file with errors (lists (line, message))
     +-- StatementError       a bank statement (1CClientBankExchange) with errors, likewise
     +-- GenerationError      a registry cannot be generated
     +-- ExchangeError        the exchange session could not finish
     |    +-- AuthError       wrong login or password
     |    +-- ServerError     server down, timeouts, repeated 5xx
     |    +-- BusyError       another exchange session holds the lock
     +-- AcceptError          a registry cannot be accepted
     +-- FolderError          the exchange folder cannot be used (disk full, no rights)
     +-- BackupError          a backup cannot be made, verified or restored
"""

from __future__ import annotations


class AppError(Exception):
    """Base of every error shown to the user."""

    title = "Ошибка"

    def __init__(self, message: str, hint_cli: str = "", hint_window: str = "") -> None:
        # what to do, said twice: the command line names a command, the window its own field
        # or tab (the accountant never sees a command); ``message`` is the window's text
        self.message = f"{message}: {hint_window}" if hint_window else message
        self.cli_message = f"{message}: {hint_cli}" if hint_cli else self.message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class SettingsError(AppError):
    title = "Настройки"


class PasswordError(AppError):
    title = "Пароль"


class DatabaseError(AppError):
    title = "База данных"


class IntegrityError(DatabaseError):
    """A unique key, foreign key or check refused a write (SQLite or PostgreSQL alike)."""


class ImportFileError(AppError):
    """A table file that cannot be imported; ``errors`` holds (line, message) pairs."""

    title = "Импорт"

    def __init__(
        self, file: str, errors: list[tuple[int, str]], total: int | None = None,
        lines: list[str] | None = None, refers_to: frozenset[str] | None = None,
        references: dict[str, frozenset[str]] | None = None,
    ) -> None:  # fmt: skip
        # ``errors``: (first row, message) per cause; ``lines``: each cause as told (rows
        # as ranges); ``refers_to``: the kinds of file every cause refers to (accounts...);
        # ``references``: where every error is such a reference, the values named, by kind
        self.file = file
        self.errors = errors
        self.references = references
        self.lines = lines if lines is not None else [
            f"строка: {n}, {m}" if n else m for n, m in errors]
        self.refers_to = refers_to
        shown = "\n".join(self.lines)
        more = ""
        if total is not None and total > len(errors):
            more = f"\n... и ещё {total - len(errors)}"
        super().__init__(f"Файл {file} не загружен, ничего не изменено:\n{shown}{more}")


def _first_errors(errors: list[tuple[int, str]]) -> str:
    """The first 20 errors of a file on one line, and how many there are in all beyond."""
    lines = "; ".join(format_error(n, m) for n, m in errors[:20])
    return lines + (f"; ... всего ошибок: {len(errors)}" if len(errors) > 20 else "")


class RegistryError(AppError):
    """A registry file with errors; ``errors`` holds every (line, message) found."""

    title = "Реестр"

    def __init__(self, errors: list[tuple[int, str]], file: str = "") -> None:
        self.errors = errors
        self.file = file
        super().__init__((f"{file}: " if file else "") + _first_errors(errors))


class StatementError(AppError):
    """A bank statement that cannot be read; ``errors`` holds every (line, message) found."""

    title = "Выписка банка"

    def __init__(self, errors: list[tuple[int, str]], file: str = "") -> None:
        self.errors = errors
        self.file = file
        prefix = f"выписка {file} не загружена, ничего не изменено: " if file else ""
        super().__init__(prefix + _first_errors(errors))


def format_error(line: int, message: str) -> str:
    """The user's form of one registry error: «строка: N, текст»."""
    return f"строка: {line}, {message}"


class GenerationError(AppError):
    title = "Формирование реестра"


class ExchangeError(AppError):
    title = "Обмен"


class AuthError(ExchangeError):
    title = "Вход в «Мои счета»"


class ServerError(ExchangeError):
    title = "Сервер «Мои счета»"


class BusyError(ExchangeError):
    """Another session holds the exchange lock (a scheduled turn is skipped, not failed)."""


class AcceptError(AppError):
    title = "Приём реестра"


class FolderError(AppError):
    title = "Каталог обмена"


class BackupError(AppError):
    title = "Резервная копия"
