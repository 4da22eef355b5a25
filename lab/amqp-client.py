#!/usr/bin/python3
"""amqp-client.py - the lab's RabbitMQ client, one per controller.

No OpenStack service of the lab talks AMQP yet, so this stands in for
their RPC connections: a real AMQP 0-9-1 client (Debian's python3-amqp)
that connects to its node's broker as the lab's user, consumes from a
queue of its own and keeps the connection alive with heartbeats.  Like the
clients of the seed talk it does not reconnect when the broker goes away:
it says so and waits to be restarted, which is what stackhop's check
that clients came back (and its restart of rabbitmq.clients) is for.

    amqp-client.py ADDRESS SECRETS_FILE

The password is read from SECRETS_FILE (key rabbitmq_password), never
taken from the command line.
"""
import socket
import sys
import time

import amqp


def secret(path, key):
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k.strip() == key:
                return v.strip().strip('"')
    raise SystemExit(f"amqp-client: {path} has no {key}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: amqp-client.py ADDRESS SECRETS_FILE")
    addr, secrets = sys.argv[1], sys.argv[2]
    # The first connection is retried (for up to 60 s), as an OpenStack
    # service retries at start: a broker that has just clustered may still
    # refuse it ("vhost '/' is down").  A connection lost later is not.
    deadline = time.monotonic() + 60
    while True:
        conn = amqp.Connection(host=f"{addr}:5672", userid="stackhop",
                               password=secret(secrets, "rabbitmq_password"),
                               virtual_host="/", heartbeat=10, connect_timeout=5)
        try:
            conn.connect()
            break
        except (OSError, amqp.exceptions.AMQPError) as e:
            if time.monotonic() > deadline:
                raise
            print(f"not connected yet ({e!r}); trying again", flush=True)
            time.sleep(1)
    ch = conn.channel()
    queue = f"lab-client-{addr}"
    ch.queue_declare(queue, durable=False, auto_delete=True)
    ch.basic_consume(queue, callback=lambda m: None, no_ack=True)
    print(f"connected to {addr}:5672, consuming from {queue}", flush=True)
    try:
        while True:
            try:
                conn.drain_events(timeout=1)
            except socket.timeout:
                conn.heartbeat_tick()
    except Exception as e:  # pylint: disable=broad-except
        print(f"connection lost ({e!r}); not reconnecting", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
