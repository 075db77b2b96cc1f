//! `cargo xtask bench`: named load scenarios against a real `wrangler dev`, each also run
//! against a no-logic echo Worker (tests/echo, under its own `wrangler dev`) for the
//! ceiling; `cargo xtask bench wake`: the first read of a long room after restarts.
//! `--help` lists both; docs/performance.md has what they measured.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool that fails loudly

mod big_room;
mod load;
mod profile;
mod scenarios;
mod wake;

use std::{process::ExitCode, time::Duration};

use scenarios::Options;

const USAGE: &str = "\
usage: cargo xtask bench [SCENARIO ...] [OPTIONS]
       cargo xtask bench wake [--big N] [--small M] [--rounds R]

Runs each scenario against edgechat and then against the echo Worker (tests/echo), each
on a fresh `wrangler dev` with the per-user rate limits lifted, and prints deliveries/s,
latency p50/p95/p99/max, messages sent and lost, error frames, the time until every
client had joined, the room's storage writes and reads and D1 statements per message,
and edgechat's fraction of the echo.

Scenarios (none named: all of them, in this order):";

const OPTIONS: &str = "\
Options:
  --seconds S     measured time of each run (default 20)
  --warmup S      unmeasured time before it (default 2)
  --rates A,B,..  paced: the rates swept, messages/s (default 100,200,300,400,500,600)
  --step S        paced: measured time of each rate (default 5)
  --storm N       storm: how many clients (default 1000)
  --join N        join: how many accounts new to the room (default 1000)
  --big-room N    big-room: how many clients (default 3000; the open-file limit is
                  raised to its hard limit, and a warning says when that is too low);
                  its servers have no inspector (tests/serve.cjs says why)
  --inspector     big-room: serve with wrangler dev's inspector, as the others do
  --profile FILE  join, storm: serve edgechat with workerd's own inspector instead (no
                  wrangler proxy), take a CPU profile (1 ms) from the first connection
                  until all have joined, write it to FILE (Chrome DevTools opens it) and
                  print its busy runs and the functions with the most samples
  --var NAME=V    set one of edgechat's vars (repeatable), to try a setting
  -h, --help      this text

wake: one room of --big messages (default 20000) and one of --small (default 5), the
server restarted --rounds times (default 3) on the same state; the first history read of
each timed, and the memory waking the big one takes.";

fn usage() -> String {
    let mut text = USAGE.to_owned();
    for (name, what) in scenarios::ALL {
        text.push_str(&format!("\n  {name:<9} {what}"));
    }
    format!("{text}\n\n{OPTIONS}")
}

enum Asked {
    Help,
    Wake(wake::Wake),
    Scenarios(Vec<String>, Options),
}

fn parse(args: &[String]) -> Result<Asked, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Asked::Help);
    }
    if args.first().map(String::as_str) == Some("wake") {
        return wake::parse(&args[1..]).map(Asked::Wake);
    }
    let mut names = Vec::new();
    let mut options = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} takes a value"))
                .cloned()
        };
        let seconds = |v: String| {
            v.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("{arg} takes a number of seconds, not {v:?}"))
        };
        match arg.as_str() {
            "--seconds" => options.measured = seconds(value()?)?,
            "--warmup" => options.warmup = seconds(value()?)?,
            "--step" => options.step = seconds(value()?)?,
            "--storm" => {
                let v = value()?;
                options.storm = v.parse().ok().filter(|n| *n >= 2).ok_or_else(|| {
                    format!("--storm takes a number of clients (2 or more), not {v:?}")
                })?;
            }
            "--join" => {
                let v = value()?;
                options.join = v.parse().ok().filter(|n| *n >= 2).ok_or_else(|| {
                    format!("--join takes a number of clients (2 or more), not {v:?}")
                })?;
            }
            "--big-room" => {
                let v = value()?;
                options.big_room = v.parse().ok().filter(|n| *n >= 20).ok_or_else(|| {
                    format!("--big-room takes a number of clients (20 or more), not {v:?}")
                })?;
            }
            "--inspector" => options.inspector = true,
            "--profile" => options.profile = Some(value()?.into()),
            "--var" => {
                let v = value()?;
                let (name, setting) = v
                    .split_once('=')
                    .filter(|(name, _)| !name.is_empty())
                    .ok_or_else(|| format!("--var takes NAME=VALUE, not {v:?}"))?;
                options.vars.push((name.to_owned(), setting.to_owned()));
            }
            "--rates" => {
                let v = value()?;
                options.rates = v
                    .split(',')
                    .map(|r| r.trim().parse::<f64>().ok().filter(|r| *r > 0.0))
                    .collect::<Option<Vec<_>>>()
                    .filter(|rates| !rates.is_empty())
                    .ok_or_else(|| format!("--rates takes rates like 100,200, not {v:?}"))?;
            }
            name if scenarios::ALL.iter().any(|(known, _)| *known == name) => {
                names.push(name.to_owned());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.measured.is_zero() {
        return Err("--seconds must be more than 0".to_owned());
    }
    if names.is_empty() {
        names = scenarios::ALL
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
    }
    Ok(Asked::Scenarios(names, options))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Asked::Help) => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        Ok(Asked::Wake(scenario)) => {
            wake::run(scenario).await;
            ExitCode::SUCCESS
        }
        Ok(Asked::Scenarios(names, options)) => {
            println!("bench: {names:?}, {options:?}");
            for name in &names {
                scenarios::run(name, &options).await;
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bench: {err}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn help_lists_every_scenario_and_option() {
        assert!(matches!(parse(&args("--help")), Ok(Asked::Help)));
        assert!(matches!(parse(&args("storm -h")), Ok(Asked::Help)));
        let text = usage();
        for (name, _) in scenarios::ALL {
            assert!(text.contains(name), "{name} is missing from --help");
        }
        for option in [
            "--seconds",
            "--warmup",
            "--rates",
            "--step",
            "--storm",
            "wake",
        ] {
            assert!(text.contains(option), "{option} is missing from --help");
        }
    }

    #[test]
    fn scenarios_and_options_parse_and_mistakes_are_refused() {
        let Ok(Asked::Scenarios(names, options)) = parse(&args(
            "paced storm --seconds 3 --rates 50,75 --storm 20 --var ARCHIVE_BATCH=200",
        )) else {
            panic!("a valid line was refused");
        };
        assert_eq!(names, ["paced", "storm"]);
        assert_eq!(options.measured, Duration::from_secs(3));
        assert_eq!(options.rates, [50.0, 75.0]);
        assert_eq!(options.storm, 20);
        assert_eq!(
            options.vars,
            [("ARCHIVE_BATCH".to_owned(), "200".to_owned())]
        );
        let Ok(Asked::Scenarios(all, _)) = parse(&[]) else {
            panic!("no arguments must run every scenario");
        };
        assert_eq!(all.len(), scenarios::ALL.len());
        for bad in [
            "--seconds",
            "--seconds x",
            "--rates 1,,2",
            "--storm 1",
            "fanout",
            "--rooms 4",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?} was accepted");
        }
    }
}
