"""Chinese translations of wmcj's messages, keyed by the English message."""

MESSAGES: dict[str, str] = {
    "WMCJ_TODAY='{value}' is not a date; use YYYY-MM-DD": "WMCJ_TODAY='{value}' 不是日期，请使用 YYYY-MM-DD 格式",
}
