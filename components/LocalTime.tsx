"use client";
import { useEffect, useState } from "react";
import { formatUtc } from "../appLib/format.ts";

/** A Unix time in the reader's own time zone (UTC until the browser has rendered it). */
export function LocalTime({ timestamp }: { timestamp: bigint | number }) {
  const utc = formatUtc(timestamp);
  const [text, setText] = useState(utc);
  useEffect(() => {
    setText(new Date(Number(timestamp) * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }));
  }, [timestamp]);
  return (
    <time dateTime={new Date(Number(timestamp) * 1000).toISOString()} title={utc}>
      {text}
    </time>
  );
}
