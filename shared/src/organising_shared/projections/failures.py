"""Which failures are worth retrying, and how to name the ones that are not.

A consumer retries a failure that goes away by itself: the store or the broker unreachable, a
primary stepping down, a write conflict with another writer, a transaction the server asked to
retry. Anything else — a number outside the store's 64-bit range, a document over its 16 MB
limit, a broken invariant in the code that applies an event — fails the same way on every try,
and retrying it would stop the consumer for good. Such a record is a *poison* record: it is
dead-lettered with a reason from `poison_reason`, and the rest of its batch is applied.
"""

from __future__ import annotations

from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from bson.errors import InvalidDocument
from pymongo.errors import (
    ConnectionFailure,
    DocumentTooLarge,
    OperationFailure,
    PyMongoError,
)

# Server error codes that say "try again" (MongoDB's error_codes.yml: network, elections,
# shutdowns, lock and write conflicts, time limits).
_TRANSIENT_CODES = frozenset(
    {
        6,  # HostUnreachable
        7,  # HostNotFound
        24,  # LockTimeout
        46,  # LockBusy
        50,  # MaxTimeMSExpired
        89,  # NetworkTimeout
        91,  # ShutdownInProgress
        112,  # WriteConflict
        133,  # FailedToSatisfyReadPreference
        189,  # PrimarySteppedDown
        225,  # TransactionTooOld
        251,  # NoSuchTransaction
        262,  # ExceededTimeLimit
        9001,  # SocketException
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
    }
)
_RETRY_LABELS = ("TransientTransactionError", "UnknownTransactionCommitResult", "RetryableWriteError")


class ApplyAgain(Exception):
    """The batch met a state it was not prepared for (another writer moved first, a rebuild
    switched generations): apply it again from the top. Not a failure of any record."""


def is_transient(error: BaseException) -> bool:
    """True when trying the same thing again may succeed."""
    if isinstance(error, (ApplyAgain, ConnectionFailure, KafkaError, OSError)):
        # OSError includes TimeoutError (asyncio's too) and refused connections.
        return not _kafka_refuses_for_good(error)
    if isinstance(error, PyMongoError) and any(error.has_error_label(label) for label in _RETRY_LABELS):
        return True
    return isinstance(error, OperationFailure) and error.code in _TRANSIENT_CODES


def _kafka_refuses_for_good(error: BaseException) -> bool:
    # Every other broker error (unreachable, a leader moving, a timeout) passes with time; a
    # record over the size limit never does.
    return isinstance(error, (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError))


def poison_reason(error: BaseException) -> str:
    """Why a record could not be applied, in words an operator can act on.

    Built from the kind of failure only, never from its message: a driver's message may quote
    the value it choked on, and the value may be personal data.
    """
    if isinstance(error, OverflowError):
        what = "a number it carries, or a total it adds to, is outside the store's 64-bit integer range"
    elif isinstance(error, DocumentTooLarge) or (isinstance(error, OperationFailure) and error.code in {10334, 17419, 17420}):
        what = "what it would store is larger than the store's 16 MB document limit"
    elif isinstance(error, InvalidDocument):
        what = "what it would store is not a valid document for the store"
    elif isinstance(error, OperationFailure):
        what = f"the store refused it (error code {error.code})"
    else:
        what = f"applying it failed ({type(error).__name__})"
    return f"could not be applied: {what}; the rest of its batch was applied"
