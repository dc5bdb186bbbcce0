"""Profiles: named accounts and modes ("Acme live", "Acme test"), each with its own cache. Never the key."""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ConsoleError

FILE = "profiles.json"
_NAME = re.compile(r"[\w .@()+-]{1,60}")


class ProfileError(ConsoleError):
    """A profile name that cannot be used, or one that does not exist."""


@dataclass
class Profile:
    name: str
    account_id: str
    account_name: str
    livemode: bool
    api_base: str | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    permissions: dict[str, bool] = field(default_factory=dict)
    stored: bool = True  # False: the key was used for one session only

    @property
    def mode_label(self) -> str:
        return "LIVE" if self.livemode else "TEST"


class Profiles:
    """profiles.json in the data dir: the profiles and which one was used last."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE
        self.items: dict[str, Profile] = {}
        self.last: str | None = None
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self.items = {p["name"]: Profile(**p) for p in data.get("profiles", [])}
            self.last = data.get("last")
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, KeyError):
            self.path.replace(self.path.with_suffix(".broken.json"))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"last": self.last, "profiles": [asdict(p) for p in self.items.values()]}, indent=2), "utf-8")
        tmp.replace(self.path)

    @staticmethod
    def check_name(name: str) -> str:
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise ProfileError("Profile names are 1 to 60 letters, digits, spaces or . @ ( ) + - _", 'For example "Acme live".')
        return name

    def get(self, name: str) -> Profile:
        if name not in self.items:
            known = ", ".join(self.items) or "none yet"
            raise ProfileError(
                f"There is no profile {name!r} (profiles: {known}).", "Add one with `churn-console key set --profile NAME`."
            )
        return self.items[name]

    def put(self, profile: Profile) -> Profile:
        profile.name = self.check_name(profile.name)
        self.items[profile.name] = profile
        self.last = profile.name
        self.save()
        return profile

    def rename(self, old: str, new: str) -> Profile:
        profile = self.get(old)
        new = self.check_name(new)
        if new in self.items and new != old:
            raise ProfileError(f"There is already a profile {new!r}.")
        del self.items[old]
        profile.name = new
        self.items[new] = profile
        if self.last == old:
            self.last = new
        self.save()
        return profile

    def remove(self, name: str) -> Profile:
        profile = self.get(name)
        del self.items[name]
        if self.last == name:
            self.last = next(iter(self.items), None)
        self.save()
        return profile

    def use(self, name: str) -> Profile:
        profile = self.get(name)
        self.last = name
        self.save()
        return profile
