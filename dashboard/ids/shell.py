URL = "shell-url"
HEADER = "shell-header"
LANG = "shell-lang"
