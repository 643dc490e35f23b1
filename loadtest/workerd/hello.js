// Scenario 1 for workerd.
export default {
  fetch() {
    return new Response("hello");
  },
};
