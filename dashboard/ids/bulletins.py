GENERATE = "bulletin-generate"
MONTH = "bulletin-month"
LANG = "bulletin-lang"
MESSAGE = "bulletin-message"
