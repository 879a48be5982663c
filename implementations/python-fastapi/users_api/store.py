"""The users, in memory. Handlers are ``async def`` and never await while they use the store,
so each of these methods runs without another request in between: the email check and the
write are atomic."""

from datetime import UTC, datetime
from itertools import islice

from .models import User, UserIn, UserPatch


def email_key(email: str) -> str:
    """Emails are unique ASCII-case-insensitively: only A-Z fold (str.lower would fold É too)."""
    return email.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Conflict(Exception):
    """Another user holds the email."""


class Store:
    def __init__(self) -> None:
        self._users: dict[int, User] = {}  # insertion order is id order: ids only grow
        self._emails: dict[str, int] = {}
        self._last_id = 0

    def __len__(self) -> int:
        return len(self._users)

    def get(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    def page(self, offset: int, count: int) -> list[User]:
        if offset >= len(self._users):
            return []
        return list(islice(self._users.values(), offset, offset + count))

    def create(self, body: UserIn) -> User:
        key = email_key(body.email)
        if key in self._emails:
            raise Conflict
        self._last_id += 1
        now = datetime.now(UTC)
        user = User(id=self._last_id, name=body.name, email=body.email, created_at=now, updated_at=now)
        self._users[user.id] = user
        self._emails[key] = user.id
        return user

    def update(self, user: User, body: UserIn | UserPatch) -> User:
        """Applies the members the body holds (PATCH: only those it names)."""
        changes = body.model_dump(exclude_unset=True)
        if "email" in changes:
            holder = self._emails.get(email_key(changes["email"]))
            if holder is not None and holder != user.id:
                raise Conflict
            del self._emails[email_key(user.email)]
            self._emails[email_key(changes["email"])] = user.id
        # Never earlier than before, even if the wall clock steps back.
        changes["updated_at"] = max(user.updated_at, datetime.now(UTC))
        updated = user.model_copy(update=changes)
        self._users[user.id] = updated
        return updated

    def delete(self, user: User) -> None:
        del self._users[user.id]
        del self._emails[email_key(user.email)]
