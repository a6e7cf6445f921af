"""``carebench validate``, ``carebench scenarios``, ``carebench policies`` and ``carebench kpis``."""

from __future__ import annotations

import inspect
import textwrap

import click

from carebench.cli.common import allow_import_option, override_option, resolve_scenario, scenario_argument
from carebench.cli.jsonout import emit, json_option
from carebench.kpis import catalogue
from carebench.load.limits import channel_contacts, max_contacts
from carebench.load.loader import shipped_scenario_path, shipped_scenarios
from carebench.load.yamlio import load_yaml_file
from carebench.output.report import fmt_time, table
from carebench.policies.registry import describe_policies

__all__ = ["validate", "scenarios", "policies", "kpis"]


@click.command()
@scenario_argument(required=True)
@override_option()
@allow_import_option()
@json_option()
def validate(scenario, overrides, allow_policy_import, as_json):
    """Check SCENARIO without running it; print what it declares."""
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    rows, expected = [], {}
    for name, ch in sc.channels.items():
        n = channel_contacts(sc, name)
        expected[name] = n
        rows.append([name, "public" if ch.public else "private", fmt_time(ch.sla), f"{n:,.0f}",
                     ch.support_hours.text])
    if as_json:
        emit({"ok": True, "scenario": sc.name, "fingerprint": sc.fingerprint(), "horizon_s": sc.horizon,
              "channels": {n: {"public": c.public, "sla_s": c.sla, "sla_goal": c.sla_goal,
                               "expected_contacts": expected[n], "support_hours": c.support_hours.text}
                           for n, c in sc.channels.items()},
              "pools": {p: {"agents": v.agents, "channels": list(v.channels)} for p, v in sc.pools.items()},
              "policies": {"priority": str(sc.policies.priority), "staffing": str(sc.policies.staffing)}})
        return
    click.echo(f"ok: {sc.name} (fingerprint {sc.fingerprint()})")
    click.echo("\n".join(table(["channel", "kind", "target", "expected contacts", "support hours"], rows)))
    pools = [[p, str(v.agents), ", ".join(v.channels)] for p, v in sc.pools.items()]
    if pools:
        click.echo("\n".join(table(["pool", "agents", "channels"], pools)))
    click.echo(f"policies: priority {sc.policies.priority}, staffing {sc.policies.staffing}")
    total = sum(channel_contacts(sc, name) for name in sc.channels) + len(sc.inject)
    if total > max_contacts():
        shown = f"{total:,.0f}" if total < 1e15 else f"{total:.3g}"
        click.echo(f"note: about {shown} contacts per run, above the default limit of {max_contacts():,}; "
                   "runs need --max-contacts N", err=True)


@click.command()
@json_option()
def scenarios(as_json):
    """List the scenarios and mystery-shopper studies shipped with carebench."""
    rows = []
    for name in shipped_scenarios():
        data = load_yaml_file(shipped_scenario_path(name))
        desc = " ".join(str(data.get("description", "")).split()) if isinstance(data, dict) else ""
        study = isinstance(data, dict) and "brands" in data and "probes" in data
        rows.append([name, "carebench shop" if study else "carebench run", textwrap.shorten(desc, 80, placeholder="...")])
    if as_json:
        emit([{"name": r[0], "run_with": r[1], "description": r[2]} for r in rows])
        return
    click.echo("\n".join(table(["scenario", "run with", "description"], rows)))


@click.command()
@click.option("--verbose", "-v", is_flag=True, help="Show each policy's full description.")
@json_option()
def policies(verbose, as_json):
    """List the registered priority and staffing policies with their parameters."""
    rows = describe_policies()
    if as_json:
        emit(rows)
        return
    width = max(len(row["name"]) for row in rows)
    indent = " " * (width + 11)
    for row in rows:
        params = ", ".join(f"{p['name']} (required)" if p["required"] else f"{p['name']}={p['default']!r}"
                           for p in row["params"]) or "no parameters"
        click.echo(f"{row['kind']:9} {row['name']:{width}}  {row['summary']}")
        click.echo(f"{indent}parameters: {params}")
        if verbose:
            click.echo(textwrap.indent(inspect.cleandoc(row["doc"]), indent))
        click.echo("")


_BETTER = {1: "higher", -1: "lower", 0: "-"}


@click.command()
@scenario_argument()
@override_option()
@allow_import_option()
@json_option()
def kpis(scenario, overrides, allow_policy_import, as_json):
    """List the KPIs carebench reports: unit, which way is better, meaning (the KPI catalogue).

    With SCENARIO, list every KPI name a run of it reports instead.
    """
    if as_json:
        families = catalogue.CATALOGUE
        if scenario is None:
            emit([{"pattern": f.pattern, "unit": f.unit.label, "better": _BETTER[f.better], "meaning": f.meaning}
                  for f in families])
        else:
            sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
            emit([{"kpi": n, "unit": catalogue.find(n).unit.label, "better": _BETTER[catalogue.find(n).better]}
                  for n in catalogue.names(list(sc.channels), list(sc.pools))])
        return
    if scenario is None:
        lines = table(["KPI", "unit", "better"],
                      [[f.pattern, f.unit.label, _BETTER[f.better]] for f in catalogue.CATALOGUE])
        width = max(len(line) for line in lines)
        meanings = ["meaning", "-------", *(f.meaning for f in catalogue.CATALOGUE)]
        click.echo("\n".join(f"{line.ljust(width)}  {m}" for line, m in zip(lines, meanings)))
        click.echo("\n" + "\n".join(f"<{k}>: {v.replace('`', '')}" for k, v in catalogue.PLACEHOLDERS.items()))
        return
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    rows = []
    for name in catalogue.names(list(sc.channels), list(sc.pools)):
        family = catalogue.find(name)
        rows.append([name, family.unit.label, _BETTER[family.better]])
    click.echo("\n".join(table(["KPI", "unit", "better"], rows)))
