import Link from "next/link";

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is nothing here: the proposal may belong to another chain or deployment. <Link href="/proposals">See the proposals</Link>.
      </p>
    </>
  );
}
