"""The topic examples of docs/topics.md run as written (as admin, with alice registered)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ADMIN_PASSWORD, Api

README = Path(__file__).resolve().parents[2] / "docs" / "topics.md"
BLOCK = re.compile(r"<!-- topics: admin -->\n```graphql\n(.*?)```", re.S)


async def test_readme_topic_examples(api: Api) -> None:
    blocks = BLOCK.findall(README.read_text())
    assert len(blocks) == 4
    token = (await api.login("admin", ADMIN_PASSWORD))["token"]
    _, alice_id = await api.register("alice")
    values = {"ALICE_ID": alice_id}
    for doc in blocks:
        for name, value in values.items():
            doc = doc.replace(f"<{name}>", value)
        data = await api.run(doc, token=token)
        for field, result in data.items():
            assert "Error" not in result["__typename"], (field, result)
        if "createGroup" in data:
            values["OPS_GROUP_ID"] = data["createGroup"]["group"]["id"]
    sent = await api.run(
        """{ messages(filter: {topic: "/Team/Ops/Alerts", onlyRoots: true}) { edges { node {
        text replyCount likeCount votesUp isTask labels { text } } } } }""",
        token=token,
    )
    root = sent["messages"]["edges"][0]["node"]
    assert root == {
        "text": "Disk full on db-1 #incident:42 @alice",
        "replyCount": 3,
        "likeCount": 1,
        "votesUp": 1,
        "isTask": True,
        "labels": [{"text": "done"}],
    }
