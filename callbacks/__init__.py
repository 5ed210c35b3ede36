"""One module per page: each turns data_access answers into figures and components."""

from callbacks import (  # noqa: F401  (importing registers the callbacks)
    disputes,
    export,
    home,
    incident,
    incidents,
    mediation,
    shell,
    wall,
)
