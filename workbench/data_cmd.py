"""`workbench data [--data-dir D]`: which data sets are present and verified, where they are
looked for, and how to get the rest (the loaders and checks are :mod:`analysis.nets.data`)."""
from __future__ import annotations

from analysis.nets import data as D


def cli_data(args) -> int:
    """`workbench data [--data-dir D]`: print which data sets are present and verified, where,
    how to get the rest; a present set that fails verification says why, one line per problem."""
    data_dir = getattr(args, "data_dir", None)
    rows = D.dataset_status(data_dir)
    width = max(len(r["name"]) for r in rows)
    print(f"{'data set'.ljust(width)}  present  where / how to get")
    for r in rows:
        if r["ok"]:
            recs = "/".join(str(r["records"][s]) for s in ("train", "test"))
            md5 = ", md5 verified" if r["name"] in D.DECOMPRESSED_MD5 else ""
            print(f"{r['name'].ljust(width)}  yes      {r['path']} ({recs} records{md5})")
            if r.get("note"):
                print(f"{''.ljust(width)}           {r['note']}")
        elif r["present"]:
            print(f"{r['name'].ljust(width)}  BAD      {r['path']}")
            for prob in r["problems"]:
                print(f"{''.ljust(width)}           {prob}")
        else:
            print(f"{r['name'].ljust(width)}  no       get it: {r['how']}")
    places = ", ".join(str(p) for p in D.search_places(data_dir))
    only = " (only --data-dir, as it is given)" if data_dir is not None else ""
    print(f"\nsearched{only} (each also with a sub-folder named after the set): {places}")
    return 0
