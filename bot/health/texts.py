"""What each finding says, in Chinese and English, and what to do about it: one line each."""

from __future__ import annotations

from handlers.health.findings import Finding

# code → (problem in Chinese, problem in English, what to do); the texts take the finding's params
TEXTS: dict[str, tuple[str, str, str]] = {
    "channel.none": ("没有开启任何渠道", "no channel is on", "set the credentials of WeChat, WeCom or Telegram"),
    "channel.incomplete": (
        "渠道设置不完整，渠道关闭",
        "channel settings incomplete, the channel is off",
        "set {missing}",
    ),
    "channel.aes_key": ("{setting} 格式不对", "{setting} is malformed", "copy the 43-character EncodingAESKey"),
    "wechat.no_template": (
        "没有模板消息，48 小时外的提醒无法送达",
        "no template message: reminders outside the 48-hour window cannot be delivered",
        "set WECHAT_REMINDER_TEMPLATE_ID",
    ),
    "wechat.plaintext": ("明文模式，回调可被伪造", "plaintext mode, callbacks can be forged", "set WECHAT_AES_KEY"),
    "telegram.webhook_url": ("Webhook 地址不是 https", "the webhook URL is not https", "use https://…/telegram"),
    "telegram.webhook_secret": ("Webhook 模式缺少密钥", "webhook mode without a secret", "set TELEGRAM_WEBHOOK_SECRET"),
    "public_base_url.missing": (
        "未设置公网地址，下载链接和模板消息链接无法生成",
        "not set: download links and template message links cannot be made",
        "set PUBLIC_BASE_URL=https://…",
    ),
    "public_base_url.not_https": ("不是 https 地址", "not an https address", "use https://…"),
    "secret.weak": ("密钥是占位值或太弱", "a placeholder or weak secret", "set SECRET_KEY=$(openssl rand -hex 32)"),
    "folder.not_writable": ("无法写入 {path}", "cannot write in {path}", "create it and give the bot write access"),
    "calendar.next_year": (
        "没有 {year} 年的节假日数据",
        "no holidays for {year} yet",
        "upgrade chinese-calendar once they are published",
    ),
    "rubric.unusable": ("专家评审细则无法读取", "the expert rubric cannot be read: {reason}", "fix EXPERT_RUBRIC_FILE"),
    "database.unreachable": ("数据库无法连接", "the database does not answer: {reason}", "check DATABASE_URL"),
    "database.behind": (
        "数据库不是最新版本（{current} → {head}）",
        "the database is not at the newest migration ({current} → {head})",
        "run: studio-bot init",
    ),
    "online.refused": ("平台拒绝了凭据", "the platform refused: {reason}", "check the channel's credentials"),
    "union.no_reviewer": (
        "有 {studios} 个工作室但没有审核人",
        "{studios} studio(s) but no reviewer",
        'run: studio-bot invite --union "{subject}" --role reviewer --name NAME',
    ),
    "association.missing": (
        "没有市级协会（municipal）",
        "no municipal association union",
        "run: studio-bot union add NAME --level municipal",
    ),
    "association.no_reviewer": (
        "市职工技协没有审核人（association），推荐后的申报无人审核、公示、命名",
        "the association has no officer (--role association): applications stall after 推荐",
        'run: studio-bot invite --union "{subject}" --role association --name NAME',
    ),
    "experts.too_few": (
        "已绑定的专家 {have} 人，评审需要 {needed} 人（另有 {unbound} 人未绑定）",
        "{have} bound expert(s), the rubric needs {needed} ({unbound} more never bound)",
        "run: studio-bot invite --union NAME --role expert --name NAME",
    ),
    "studio.no_lead": (
        "已命名但没有领办人",
        "named but without a lead",
        'run: studio-bot invite --studio "{subject}" --role lead --name NAME',
    ),
    "lead.unbound": (
        "领办人从未绑定账号，收不到任何消息",
        "the lead never bound an account and hears nothing",
        "give them a new code: studio-bot invite … --replace, or ask them to send 绑定 CODE",
    ),
    "reviewer.unbound": (
        "{count} 名审核人从未绑定账号",
        "{count} reviewer(s) never bound an account",
        "ask them to send 绑定 CODE, or invite them again",
    ),
    "entries.waiting": (
        "{count} 条台账等待复核超过 {limit} 个工作日（最久 {oldest} 天）",
        "{count} entr(ies) waiting for review more than {limit} working days (oldest {oldest})",
        "remind the union's reviewers, or name a stand-in (委托)",
    ),
    "application.waiting": (
        "申报停在 {stage} 已 {days} 个工作日",
        "the application has waited at {stage} for {days} working days",
        "remind whoever decides that stage",
    ),
    "application.notice_over": (
        "公示已于 {ends_on} 结束，尚未命名",
        "the public notice ended on {ends_on} and nobody named the studio",
        "the association names it (or rejects it)",
    ),
    "outbox.failed": (
        "{count} 条消息发送失败",
        "{count} message(s) could not be delivered",
        "see the outbox; fix the channel",
    ),
    "outbox.needs_look": (
        "{count} 条消息需要人工查看",
        "{count} message(s) need a look",
        "see the outbox's last_error",
    ),
    "cycle.ending": (
        "管理周期将于 {ends_on} 结束（{days} 天后）",
        "the cycle ends on {ends_on} (in {days} days)",
        'prepare the assessment: studio-bot assess --studio "{subject}"',
    ),
}


def line(finding: Finding, *, with_people: bool = False) -> str:
    """The finding as one line: where, what (Chinese / English), and what to do."""
    zh, en, fix = TEXTS.get(finding.code, (finding.code, finding.code, ""))
    params = {"subject": finding.subject, **finding.params}
    mark = "停滞 / stall" if finding.stalls else "提示 / note"
    where = f"{finding.subject}: " if finding.subject else ""
    who = f" ({', '.join(finding.people)})" if with_people and finding.people else ""
    text = f"[{mark}] {where}{zh.format(**params)} / {en.format(**params)}{who}"
    return f"{text} → {fix.format(**params)}" if fix else text
