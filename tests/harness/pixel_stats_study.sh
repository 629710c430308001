# Sourced by the study shell tests: the pixel_stats study they run (one method, 48-px generated data).
# pixel_stats_study FILE NAME DATABASE SEEDS SLEEP_MS: writes the manifest FILE; its dataset is
# ./data beside FILE, artifacts go to artifacts-<database name>.
pixel_stats_study() {
  cat >"$1" <<TOML
name = "$2"
database = "$3"
artifacts = "artifacts-${3%.sqlite}"
seeds = $4
threads = 1
[[method]]
id = "pixel_stats"
preset = "tiny"
options = { sleep_ms = $5 }
[[dataset]]
format = "mvtec_ad"
root = "data"
TOML
}
