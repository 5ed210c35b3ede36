"""The demo: a county's master data and history generator, the seeder, the live event
simulator and the launcher of `make run`. Never used by the product's processes, which
read only what these write (master data files, SQL, the stream)."""
