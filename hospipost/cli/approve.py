"""`hospipost approve ID`: record an approval of a post's exact content in its queue file."""

from __future__ import annotations

import click

from hospipost.cli.context import AppContext, parse_now, pass_app


@click.command("approve")
@click.argument("post_id", metavar="ID")
@click.option(
    "--as",
    "approver",
    metavar="NAME",
    help="Who approves (default: git's user.email in config.yaml's folder, else your user name).",
)
@click.option("--role", metavar="ROLE", help="Approve in this role only (default: each role of yours the post needs).")
@click.option("--now", "now_option", hidden=True, metavar="TIME")
@pass_app
def approve(app: AppContext, post_id: str, approver: str | None, role: str | None, now_option: str | None) -> None:
    """Approve post ID as it is now: its texts, media, networks and time.

    Writes the approver and the hash of the post's content into the post
    (approvals:, one entry per role), keeping the rest of the queue file as it
    is. Any later change to what the post publishes makes the approval stale
    (the approval-stale rule), and the post is not published until it is
    approved again. With approvals: in config.yaml, only the people of the
    roles the post's kind requires may approve it.

    \b
    Example:
      hospipost approve news-2027-03-02-3fa9
      hospipost approve innovation-robot --as dr.martin --role medical
    """
    from hospipost.approval import approve_post, default_approver
    from hospipost.cli.queue import _display

    config = app.config
    now = parse_now(now_option, config)
    who = approver if approver is not None else default_approver(config.root)
    result = approve_post(config, post_id, who, role, now)
    roles = [r for r in result.roles if r]
    as_roles = f" as {', '.join(roles)}" if roles else ""
    if result.written:
        click.echo(f"Approved post {post_id}{as_roles} by {result.by}: written to {_display(result.path)}.")
    else:
        already = [r for r in result.already if r]
        which = f" as {', '.join(already)}" if already else ""
        click.echo(f"Post {post_id} is already approved{which} for its current content; nothing written.")
    if config.approvals is not None:
        from hospipost.approval import describe_roles, missing_roles
        from hospipost.posts import load_queue

        post = next(p for p in load_queue(result.path, config).posts if p.id == post_id)
        missing, any_one = missing_roles(post, config.approvals)
        if missing:
            click.echo(f"It still waits for the approval of {describe_roles(missing, config.approvals, any_one)}.")
