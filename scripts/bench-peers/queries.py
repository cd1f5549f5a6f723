"""Writes the request bodies of the peer benchmark: <dir>/<Q>.kol.jsonl and <dir>/<Q>.peer.jsonl,
one JSON body per line, the same data asked of KOL Registry and of PostGraphile v5.

Usage: python3 queries.py <out dir> <file of influencer ids, one a line>
"""
import base64
import json
import sys

out, ids_file = sys.argv[1], sys.argv[2]
ids = [l.strip() for l in open(ids_file) if l.strip()]


def gid(typ, i):
    return base64.urlsafe_b64encode(f"{typ}:{i}".encode()).decode().rstrip("=")


# name -> (what, KOL query, PostGraphile query); A rotates over the ids.
Q = {
    "A": ("one influencer by id with accounts (1,000 rotating ids)",
          "query($id: ID!) { influencer(id: $id) { id displayName province accounts { platform handle followerCount } } }",
          "query($id: BigInt!) { influencer(rowId: $id) { id displayName province platformAccounts(orderBy: [PLATFORM_ASC, HANDLE_ASC]) { nodes { platform handle followerCount } } } }"),
    "B": ("20 influencers, accounts, current MCN, sanctions(first:5){agency}",
          "{ influencers(first: 20) { nodes { id displayName accounts { platform handle } currentMcn { name } sanctions(first: 5) { nodes { decisionNumber fineVnd agency { name } } } } } }",
          "{ influencers(first: 20, orderBy: [DISPLAY_NAME_ASC, PRIMARY_KEY_ASC]) { nodes { id displayName platformAccounts { nodes { platform handle } } affiliations(condition: {endedOn: null}, first: 1) { nodes { mcn { name } } } sanctions(first: 5, orderBy: [DECIDED_ON_DESC, PRIMARY_KEY_DESC]) { nodes { decisionNumber fineVnd agency { name } } } } } }"),
    "C": ("50 disclosures by product category with brands, influencer",
          "{ disclosures(first: 50, filter: {productCategory: [COSMETICS]}) { nodes { id productName publishedAt brands { name } influencer { displayName } } } }",
          "{ disclosures(first: 50, condition: {productCategory: \"COSMETICS\"}, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { id productName publishedAt disclosureBrands { nodes { brand { name } } } influencer { displayName } } } }"),
    "D": ("20 sanctions by fine desc with violations",
          "{ sanctions(first: 20, orderBy: {field: FINE_VND, direction: DESC}) { nodes { id decisionNumber fineVnd status violations { category legalBasis { instrument article clause } } } } }",
          "{ sanctions(first: 20, orderBy: [FINE_VND_DESC, PRIMARY_KEY_DESC]) { nodes { id decisionNumber fineVnd status sanctionViolations(orderBy: POSITION_ASC) { nodes { category instrument article clause } } } } }"),
    "E": ("50 influencers x accounts, sanctions(5){agency}, disclosures(5){brands}",
          "{ influencers(first: 50) { nodes { displayName accounts { handle } sanctions(first: 5) { nodes { decisionNumber agency { name } } } disclosures(first: 5) { nodes { productName brands { name } } } } } }",
          "{ influencers(first: 50, orderBy: [DISPLAY_NAME_ASC, PRIMARY_KEY_ASC]) { nodes { displayName platformAccounts { nodes { handle } } sanctions(first: 5, orderBy: [DECIDED_ON_DESC, PRIMARY_KEY_DESC]) { nodes { decisionNumber agency { name } } } disclosures(first: 5, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { productName disclosureBrands { nodes { brand { name } } } } } } } }"),
    # Our own nested shapes: three levels down from a root list, and a reverse hop.
    "F": ("10 MCNs x members(10){influencer{accounts}}",
          "{ mcns(first: 10) { nodes { name members(first: 10) { nodes { kind influencer { displayName accounts { handle } } } } } } }",
          "{ mcns(first: 10, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { name affiliations(first: 10, orderBy: [STARTED_ON_DESC, PRIMARY_KEY_DESC]) { nodes { kind influencer { displayName platformAccounts { nodes { handle } } } } } } } }"),
    "G": ("30 disclosures x influencer{sanctions(3){violations}}, account",
          "{ disclosures(first: 30) { nodes { productName account { handle } influencer { displayName sanctions(first: 3) { nodes { fineVnd violations { category } } } } } } }",
          "{ disclosures(first: 30, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { productName account { handle } influencer { displayName sanctions(first: 3, orderBy: [DECIDED_ON_DESC, PRIMARY_KEY_DESC]) { nodes { fineVnd sanctionViolations { nodes { category } } } } } } } }"),
}

with open(f"{out}/names.txt", "w") as f:
    for name, (what, _, _) in Q.items():
        f.write(f"{name}\t{what}\n")
for name, (_, kol, peer) in Q.items():
    with open(f"{out}/{name}.kol.jsonl", "w") as fk, open(f"{out}/{name}.peer.jsonl", "w") as fp:
        if name == "A":
            for i in ids:
                fk.write(json.dumps({"query": kol, "variables": {"id": gid("Influencer", i)}}) + "\n")
                fp.write(json.dumps({"query": peer, "variables": {"id": i}}) + "\n")
        else:
            fk.write(json.dumps({"query": kol}) + "\n")
            fp.write(json.dumps({"query": peer}) + "\n")
