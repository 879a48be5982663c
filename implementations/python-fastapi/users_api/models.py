"""The user, and the bodies that create and change one, as pydantic v2 models."""

from datetime import datetime
from typing import Annotated

from pydantic import MISSING, BaseModel, ConfigDict, StringConstraints

# pydantic's patterns run on Rust's regex crate, whose \s is Unicode White_Space: the contract's
# whitespace exactly. Python's own re (and str.isspace) would also count U+001C..U+001F.
# A Rust pattern matches anywhere in the string unless anchored: "[^\s]" means "holds a
# non-whitespace character". Lengths count code points, as the contract does.
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"[^\s]")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^\s@]+@[^\s@]+\.[^\s@]+$")]

# strict: no coercion (7 is not "7"); extra="forbid": a member other than name and email is a 422.
BODY_CONFIG = ConfigDict(strict=True, extra="forbid")


class UserIn(BaseModel):
    """The body of POST and PUT: both members required."""

    model_config = BODY_CONFIG
    name: Name
    email: Email


class UserPatch(BaseModel):
    """The body of PATCH: any subset. MISSING tells an absent member from null, which is a 422."""

    model_config = BODY_CONFIG
    name: Name | MISSING = MISSING
    email: Email | MISSING = MISSING


class User(BaseModel):
    id: int
    name: str
    email: str
    created_at: datetime  # UTC, serialized as RFC 3339 with "Z"
    updated_at: datetime


class Page(BaseModel):
    data: list[User]
    page: int
    per_page: int
    total: int
