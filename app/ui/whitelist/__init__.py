"""The whitelist workspace (白名单): the list and its views, an entry's detail and outcome form,
the funnel, nominations with the scorecard pre-check. UI thread; data work on the database threads."""
