"""The learning loop that runs unattended: the scheduled jobs (refresh bars, make the day's calls,
resolve due outcomes, check drift, retrain under the policy), alerts, and the simulation that
replays the loop one trading day at a time over the bundled data.
"""
